import java.util.Scanner;

public class Matrices
{
    private static Scanner sc = new Scanner(System.in);

    public static void main(String[] args)
    {
        int h, w;
        System.out.println("rows and columns:");
        h = sc.nextInt();
        w = sc.nextInt();
        int[][] x = load(h, w);
        int[][] y = load(h, w);
        int[][] result = sum(x, y);
        show(result);
    }

    static void show(int[][] grid)
    {
        for (int i = 0; i < grid.length; i++) {
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < grid[i].length; j++) sb.append(grid[i][j]).append(" ");
            System.out.println(sb);
        }
    }

    static int[] sumRow(int[] p, int[] q)
    {
        int[] out = new int[p.length];
        int c = 0;
        while (c < p.length) {
            out[c] = p[c] + q[c];
            c += 1;
        }
        return out;
    }

    /* element-wise sum of a and b */
    static int[][] sum(int[][] x, int[][] y)
    {
        int rows = x.length;
        int[][] z = new int[rows][];
        for (int r = 0; r < rows; r += 1)
            z[r] = sumRow(x[r], y[r]);
        return z;
    }

    static int[][] load(int h, int w)
    {
        int[][] grid = new int[h][w];
        int r = 0;
        while (r < h) {
            for (int c = 0; c < w; c++) grid[r][c] = sc.nextInt();
            r++;
        }
        return grid;
    }
}
