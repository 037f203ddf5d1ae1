import java.util.Arrays;
import java.util.Scanner;

public class BinarySearch
{
    static int search(int[] items, int target)
    {
        int low = 0, high = items.length - 1;
        while (low <= high)
        {
            int mid = (low + high) / 2;   // middle of the range
            if (items[mid] == target) return mid;
            else if (items[mid] < target) low = mid + 1;
            else high = mid - 1;
        }
        return -1;   // not there
    }

    static int[] readArray(Scanner in)
    {
        int n = in.nextInt();
        int[] data = new int[n];
        for (int i = 0; i < n; i++) data[i] = in.nextInt();
        Arrays.sort(data);
        return data;
    }

    public static void main(String[] args)
    {
        Scanner in = new Scanner(System.in);
        int[] data = readArray(in);
        System.out.println("Sorted: " + Arrays.toString(data));
        int key = in.nextInt();
        int pos = search(data, key);
        if (pos == -1) System.out.println(key + " not found");
        else System.out.println(key + " found at index " + pos);
    }
}
