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
        System.out.println(where != -1 ? x + " found at index " + where : x + " not found");
        sc.close();
    }

    static int[] load(Scanner sc)
    {
        int size = sc.nextInt();
        int[] values = new int[size];
        int k = 0;
        while (k < size) {
            values[k] = sc.nextInt();
            k += 1;
        }
        Arrays.sort(values);
        return values;
    }

    static int find(int[] arr, int wanted)
    {
        if (arr.length == 0) return -1;
        int lo = 0;
        int hi = arr.length - 1;
        for (;;)
        {
            if (lo > hi) break;
            int m = (lo + hi) / 2;   // middle of the range
            int value = arr[m];
            if (value == wanted) return m;
            if (value < wanted) lo = m + 1;
            else hi = m - 1;
        }
        return -1;   // not there
    }
}
