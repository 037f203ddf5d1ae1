import java.util.Arrays;

public class Grades {
    public static void main(String[] args) {
        int[] scores = {72, 88, 95, 61, 54, 79, 83};
        int n = scores.length;
        double mean = Arrays.stream(scores).average().orElse(0);
        double var = 0;
        for (int s : scores) var += (s - mean) * (s - mean);
        var /= n;
        int[] sorted = scores.clone();
        Arrays.sort(sorted);
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
        System.out.printf("mean %.1f, median %.1f, std %.2f%n", mean, median, Math.sqrt(var));
        System.out.println("best " + sorted[n - 1] + " worst " + sorted[0]);
    }
}
