import java.util.Scanner;

// Reads two matrices of the same size and prints their sum
public class Matrices {
    static int[][] readMatrix(Scanner in, int rows, int cols) {
        int[][] matrix = new int[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                matrix[r][c] = in.nextInt();
            }
        }
        return matrix;
    }

    static int[][] addMatrices(int[][] a, int[][] b) {
        int rows = a.length;
        int cols = a[0].length;
        int[][] result = new int[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                result[r][c] = a[r][c] + b[r][c];
            }
        }
        return result;
    }

    static void printMatrix(int[][] matrix) {
        for (int r = 0; r < matrix.length; r++) {
            for (int c = 0; c < matrix[r].length; c++) {
                System.out.print(matrix[r][c] + "\t");
            }
            System.out.println();
        }
    }

    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        int rows = in.nextInt();
        int cols = in.nextInt();
        int[][] first = readMatrix(in, rows, cols);
        int[][] second = readMatrix(in, rows, cols);
        printMatrix(addMatrices(first, second));
    }
}
