import java.util.Arrays;
import java.util.Scanner;

public class AddMatrices {
    public static void main(String[] args) {
        Scanner scan = new Scanner(System.in);
        System.out.print("Number of rows: ");
        int m = scan.nextInt();
        System.out.print("Number of columns: ");
        int n = scan.nextInt();
        int[][] left = new int[m][n];
        int[][] right = new int[m][n];
        System.out.println("Enter the first matrix:");
        for (int i = 0; i < m * n; i++) {
            left[i / n][i % n] = scan.nextInt();
        }
        System.out.println("Enter the second matrix:");
        for (int i = 0; i < m * n; i++) {
            right[i / n][i % n] = scan.nextInt();
        }
        for (int i = 0; i < m; i++) {
            int[] row = new int[n];
            for (int j = 0; j < n; j++) {
                row[j] = left[i][j] + right[i][j];
            }
            System.out.println(Arrays.toString(row));
        }
    }
}
