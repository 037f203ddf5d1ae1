import java.util.ArrayList;
import java.util.List;
import java.util.Scanner;

public class Marks {
    public static void main(String[] args)
    {
        int ok = 0;   // 60 or more is a pass
        double mu;
        Scanner scan = new Scanner(System.in);
        List<Double> marks = getMarks(scan);
        scan.close();
        int n = marks.size();
        if (n == 0) { System.out.println("No grades entered"); return; }
        mu = mean(marks);
        String grade = toLetter(mu);
        System.out.printf("Average: %.2f %s%n", mu, grade);
        System.out.println("Highest: " + java.util.Collections.max(marks));
        System.out.println("Lowest: " + java.util.Collections.min(marks));
        for (int k = 0; k < n; k++)
            ok += marks.get(k) >= 60 ? 1 : 0;
        System.out.println("Passed: " + ok + " of " + n);
    }

    static String toLetter(double m) {
        switch ((int) m / 10) {
            case 10: case 9: return "A";
            case 8: return "B";
            case 7: return "C";
            case 6: return "D";
            default: return "F";
        }
    }

    static double mean(List<Double> xs) {
        if (xs.isEmpty()) return 0;
        double total;
        total = 0;
        int k = 0;
        while (k < xs.size()) {
            total += xs.get(k);
            k += 1;
        }
        return total / xs.size();
    }
    // keep asking until the user just presses enter
    static List<Double> getMarks(Scanner scan) {
        String s;
        List<Double> marks = new ArrayList<>();
        do {
            System.out.print("Grade (empty to stop): ");
            s = scan.nextLine().trim();
            if (!s.isEmpty()) {
                double value = Double.parseDouble(s);
                marks.add(value);
            }
        } while (!s.isEmpty());
        return marks;
    }
}
