import java.util.ArrayList;
import java.util.Scanner;

public class GradeStats {
    public static ArrayList<Double> readGrades(Scanner sc) {
        ArrayList<Double> list = new ArrayList<>();
        System.out.print("Enter a grade (blank line to finish): ");
        String line = sc.nextLine();
        while (!line.equals("")) {
            list.add(Double.parseDouble(line));
            System.out.print("Enter a grade (blank line to finish): ");
            line = sc.nextLine();
        }
        return list;
    }
    public static double average(ArrayList<Double> list) {
        double total = 0;
        for (int i = 0; i < list.size(); i++) {
            total += list.get(i);
        }
        return total / list.size();
    }
    public static String letterGrade(double avg) {
        if (avg >= 90) {
            return "A";
        } else if (avg >= 80) {
            return "B";
        } else if (avg >= 70) {
            return "C";
        } else if (avg >= 60) {
            return "D";
        }
        return "F";
    }
    public static void main(String[] args) {
        Scanner sc = new Scanner(System.in);
        ArrayList<Double> grades = readGrades(sc);
        if (grades.size() == 0) {
            System.out.println("No grades were entered.");
            return;
        }
        double avg = average(grades);
        double max = grades.get(0);
        double min = grades.get(0);
        int passed = 0;
        for (double g : grades) {
            if (g > max) max = g;
            if (g < min) min = g;
            if (g >= 60) {
                passed++;
            }
        }
        System.out.println("Average: " + Math.round(avg * 100) / 100.0 + " (" + letterGrade(avg) + ")");
        System.out.println("Highest: " + max);
        System.out.println("Lowest: " + min);
        System.out.println("Passed: " + passed + " out of " + grades.size());
    }
}
