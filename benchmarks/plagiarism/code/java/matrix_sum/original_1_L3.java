import java.util.Scanner;

public class Matrices
{
    private static Scanner sc = new Scanner(System.in);

    static int[][] load(int h, int w)
    {
        int r, c;
        int[][] grid = new int[h][w];
        for (r = 0; r < h; r++)
            for (c = 0; c < w; c++)
                grid[r][c] = sc.nextInt();
        return grid;
    }

    /* element-wise sum of a and b */
    static int[][] sum(int[][] x, int[][] y)
    {
        int r, c;
        int[][] z = new int[x.length][x[0].length];
        for (r = 0; r < x.length; r++)
            for (c = 0; c < x[0].length; c++)
                z[r][c] = x[r][c] + y[r][c];
        return z;
    }

    static void show(int[][] grid)
    {
        for (int[] line : grid) { for (int cell : line) System.out.print(cell + " "); System.out.println(); }
    }

    public static void main(String[] args)
    {
        int h, w;
        h = sc.nextInt();
        w = sc.nextInt();
        int[][] x = load(h, w);
        int[][] y = load(h, w);
        show(sum(x, y));
    }
}
