import java.util.Arrays;
import java.util.Scanner;

public class Finder
{
    public static void main(String[] args)
    {
        int x, where;
        Scanner sc = new Scanner(System.in);
        int[] values = load(sc);
        String shown = Arrays.toString(values);
        System.out.println("Sorted: " + shown);
        x = sc.nextInt();
        where = find(values, x);
        if (where == -1) System.out.println(x + " not found");
        else System.out.println(x + " found at index " + where);
        sc.close();
    }

    static int[] load(Scanner sc)
    {
        int k, size;
        size = sc.nextInt();
        int[] values = new int[size];
        for (k = 0; k < size; k++) values[k] = sc.nextInt();
        Arrays.sort(values);
        return values;
    }

    static int find(int[] arr, int wanted)
    {
        int m;
        if (arr.length == 0) return -1;
        int lo = 0;
        int hi = arr.length - 1;
        while (lo <= hi)
        {
            m = (lo + hi) / 2;   // middle of the range
            int value = arr[m];
            if (value == wanted) return m;
            else if (value < wanted) lo = m + 1;
            else hi = m - 1;
        }
        return -1;   // not there
    }
}
