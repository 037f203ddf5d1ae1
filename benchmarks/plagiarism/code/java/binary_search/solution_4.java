public class LowerBound {
    private int comparisons = 0;

    public int lowerBound(int[] sorted, int x) {
        int first = 0;
        int last = sorted.length;
        while (first < last) {
            comparisons++;
            int half = (first + last) >>> 1;
            if (sorted[half] < x) {
                first = half + 1;
            } else {
                last = half;
            }
        }
        return first;
    }

    public static void main(String[] args) {
        int[] table = new int[50];
        for (int i = 0; i < table.length; i++) {
            table[i] = i * 3;
        }
        LowerBound lb = new LowerBound();
        int pos = lb.lowerBound(table, 42);
        boolean found = pos < table.length && table[pos] == 42;
        System.out.println("position " + pos + ", found " + found + ", comparisons " + lb.comparisons);
    }
}
