import java.io.BufferedReader;
import java.io.FileReader;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

public class ClassReport {
    private final Map<String, Integer> scores = new TreeMap<>();

    void load(String path) throws IOException {
        try (BufferedReader r = new BufferedReader(new FileReader(path))) {
            String row;
            while ((row = r.readLine()) != null) {
                String[] parts = row.split(",");
                scores.put(parts[0].trim(), Integer.parseInt(parts[1].trim()));
            }
        }
    }

    void describe() {
        int total = scores.values().stream().mapToInt(Integer::intValue).sum();
        System.out.println("students: " + scores.size());
        System.out.println("mean: " + (double) total / scores.size());
        String top = null;
        for (String name : scores.keySet()) {
            if (top == null || scores.get(name) > scores.get(top)) top = name;
        }
        System.out.println("top student: " + top + " " + scores.get(top));
        StringBuilder failing = new StringBuilder();
        scores.forEach((name, s) -> { if (s < 50) failing.append(name).append(' '); });
        System.out.println("failing: " + (failing.length() == 0 ? "nobody" : failing.toString().trim()));
    }

    public static void main(String[] args) throws IOException {
        ClassReport report = new ClassReport();
        report.load("grades.csv");
        report.describe();
    }
}
