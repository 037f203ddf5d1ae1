public class TempTable {
    static final int FREEZING_F = 32;
    static final double RATIO = 9.0 / 5.0;

    public static void main(String[] args) {
        System.out.println(String.format("%6s%8s", "F", "C"));
        int fahrenheit = 0;
        while (fahrenheit < 220) {
            double celsius = (fahrenheit - FREEZING_F) / RATIO;
            System.out.println(String.format("%6d%8.2f", fahrenheit, celsius));
            fahrenheit += 20;
        }
        double[] week = {14.0, 16.5, 19.0, 21.5, 18.0, 15.5, 13.0};
        double sum = 0;
        for (double d : week) sum += d;
        double averageC = sum / week.length;
        System.out.println("average this week: " + Math.round((averageC * RATIO + FREEZING_F) * 10) / 10.0 + " F");
    }
}
