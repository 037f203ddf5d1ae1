import java.util.ArrayList;
import java.util.List;
import java.util.Scanner;

// Reads grades until an empty line and prints statistics
public class GradeStats {
    static List<Double> readGrades(Scanner in) {
        List<Double> grades = new ArrayList<>();
        while (true) {
            System.out.print("Grade (empty to stop): ");
            String line = in.nextLine();
            if (line.isEmpty()) {
                break;
            }
            grades.add(Double.parseDouble(line));
        }
        return grades;
    }

    static double average(List<Double> values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.size();
    }

    static String letter(double score) {
        if (score >= 90) {
            return "A";
        } else if (score >= 80) {
            return "B";
        } else if (score >= 70) {
            return "C";
        } else if (score >= 60) {
            return "D";
        }
        return "F";
    }

    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        List<Double> grades = readGrades(in);
        if (grades.isEmpty()) {
            System.out.println("No grades entered");
            return;
        }
        double avg = average(grades);
        System.out.printf("Average: %.2f %s%n", avg, letter(avg));
        System.out.println("Highest: " + java.util.Collections.max(grades));
        System.out.println("Lowest: " + java.util.Collections.min(grades));
        int passed = 0;
        for (double g : grades) {
            if (g >= 60) {
                passed++;
            }
        }
        System.out.println("Passed: " + passed + " of " + grades.size());
    }
}
