import java.util.Arrays;
import java.util.Scanner;

// Reads numbers, sorts them and looks one up with binary search
public class Search {
    static int[] readNumbers(Scanner in) {
        int count = in.nextInt();
        int[] numbers = new int[count];
        for (int i = 0; i < count; i++) {
            numbers[i] = in.nextInt();
        }
        return numbers;
    }

    static int binarySearch(int[] numbers, int target) {
        int low = 0;
        int high = numbers.length - 1;
        while (low <= high) {
            int mid = (low + high) / 2;
            if (numbers[mid] < target) {
                low = mid + 1;
            } else if (numbers[mid] > target) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        int[] numbers = readNumbers(in);
        Arrays.sort(numbers);
        System.out.println("Sorted: " + Arrays.toString(numbers));
        int target = in.nextInt();
        int pos = binarySearch(numbers, target);
        if (pos == -1) {
            System.out.println(target + " is not in the list");
        } else {
            System.out.println(target + " is at index " + pos);
        }
    }
}
