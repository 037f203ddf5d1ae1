import java.util.Scanner;

public class Matrices
{
    static int[][] load(Scanner sc, int h, int w)
    {
        int[][] grid = new int[h][w];
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++)
                grid[r][c] = sc.nextInt();
        return grid;
    }

    /* element-wise sum of a and b */
    static int[][] sum(int[][] x, int[][] y)
    {
        int[][] z = new int[x.length][x[0].length];
        for (int r = 0; r < x.length; r++)
            for (int c = 0; c < x[0].length; c++)
                z[r][c] = x[r][c] + y[r][c];
        return z;
    }

    static void show(int[][] grid)
    {
        for (int[] line : grid) { for (int cell : line) System.out.print(cell + " "); System.out.println(); }
    }

    public static void main(String[] args)
    {
        Scanner sc = new Scanner(System.in);
        int h = sc.nextInt(), w = sc.nextInt();
        int[][] x = load(sc, h, w);
        int[][] y = load(sc, h, w);
        show(sum(x, y));
    }
}
