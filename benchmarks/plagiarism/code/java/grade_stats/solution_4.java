import java.util.Scanner;

public class Lab5 {
    public static void main(String[] args) {
        Scanner kb = new Scanner(System.in);
        System.out.print("How many students? ");
        int count = kb.nextInt();
        int[] marks = new int[count];
        int total = 0;
        int lowest = Integer.MAX_VALUE, highest = Integer.MIN_VALUE;
        for (int k = 0; k < count; k++) {
            System.out.print("mark of student " + (k + 1) + ": ");
            marks[k] = kb.nextInt();
            total = total + marks[k];
            lowest = Math.min(lowest, marks[k]);
            highest = Math.max(highest, marks[k]);
        }
        double avg = (double) total / count;
        System.out.println("average " + avg);
        System.out.println("min " + lowest + " max " + highest);
        int above = 0;
        for (int m : marks) if (m > avg) above = above + 1;
        System.out.println(above + " students above average");
    }
}
