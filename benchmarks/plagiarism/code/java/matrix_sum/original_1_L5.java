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
        for (int[] line : grid) {
            StringBuilder sb = new StringBuilder();
            for (int cell : line) sb.append(cell).append(" ");
            System.out.println(sb);
        }
    }

    /* element-wise sum of a and b */
    static int[][] sum(int[][] x, int[][] y)
    {
        int r, c;
        int rows = x.length, cols = x[0].length;
        int[][] z = new int[rows][cols];
        for (r = 0; r < rows; r++)
            for (c = 0; c < cols; c++)
                z[r][c] = x[r][c] + y[r][c];
        return z;
    }

    static int[][] load(int h, int w)
    {
        int r, c;
        int[][] grid = new int[h][w];
        for (r = 0; r < h; r++)
            for (c = 0; c < w; c++)
                grid[r][c] = sc.nextInt();
        return grid;
    }
}
