import java.util.ArrayList;
import java.util.List;
import java.util.Scanner;

/* Grade statistics: average, letter, best, worst, passes */
public class Statistics {
    static double average(List<Double> grades) {
        double sum = 0.0;
        for (double grade : grades) {
            sum = sum + grade;
        }
        return sum / grades.size();
    }

    static String letter(double grade) {
        if (grade >= 90) {
            return "A";
        } else if (grade >= 80) {
            return "B";
        } else if (grade >= 70) {
            return "C";
        } else if (grade >= 60) {
            return "D";
        }
        return "F";
    }

    public static void main(String[] args) {
        Scanner input = new Scanner(System.in);
        List<Double> grades = new ArrayList<>();
        while (true) {
            System.out.print("Grade: ");
            String text = input.nextLine().trim();
            if (text.isEmpty()) {
                break;
            }
            grades.add(Double.parseDouble(text));
        }
        if (grades.isEmpty()) {
            System.out.println("No grades");
            return;
        }
        double avg = average(grades);
        System.out.printf("Average: %.2f %s%n", avg, letter(avg));
        double highest = grades.get(0), lowest = grades.get(0);
        int passed = 0;
        for (double grade : grades) {
            highest = Math.max(highest, grade);
            lowest = Math.min(lowest, grade);
            if (grade >= 60) {
                passed++;
            }
        }
        System.out.println("Highest: " + highest);
        System.out.println("Lowest: " + lowest);
        System.out.println("Passed: " + passed + " of " + grades.size());
        input.close();
    }
}
