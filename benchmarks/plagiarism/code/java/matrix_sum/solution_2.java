public class Main {
    public static void main(String[] args) {
        int[][] first = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}};
        int[][] second = {{9, 8, 7}, {6, 5, 4}, {3, 2, 1}};
        int n = first.length;
        int[][] total = new int[n][n];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                total[r][c] = first[r][c] + second[r][c];
                System.out.printf("%4d", total[r][c]);
            }
            System.out.println();
        }
    }
}
