import java.util.ArrayList;
import java.util.List;
import java.util.Scanner;

public class Marks {
    // keep asking until the user just presses enter
    static List<Double> getMarks(Scanner scan) {
        List<Double> marks = new ArrayList<>();
        while (true) {
            System.out.print("Grade (empty to stop): ");
            String s = scan.nextLine();
            if (s.isEmpty()) break;
            marks.add(Double.parseDouble(s));
        }
        return marks;
    }

    static double mean(List<Double> xs) {
        double total = 0;
        for (double x : xs) total += x;
        return total / xs.size();
    }

    static String toLetter(double m) {
        if (m >= 90) return "A";
        else if (m >= 80) return "B";
        else if (m >= 70) return "C";
        else if (m >= 60) return "D";
        return "F";
    }

    public static void main(String[] args)
    {
        Scanner scan = new Scanner(System.in);
        List<Double> marks = getMarks(scan);
        if (marks.isEmpty()) { System.out.println("No grades entered"); return; }

        double mu = mean(marks);
        System.out.printf("Average: %.2f %s%n", mu, toLetter(mu));
        System.out.println("Highest: " + java.util.Collections.max(marks));
        System.out.println("Lowest: " + java.util.Collections.min(marks));

        int ok = 0;   // 60 or more is a pass
        for (double mk : marks)
            if (mk >= 60) ok++;
        System.out.println("Passed: " + ok + " of " + marks.size());
    }
}
