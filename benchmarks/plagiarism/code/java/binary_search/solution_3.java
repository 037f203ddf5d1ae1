import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Scanner;

public class SearchList {
    public static void main(String[] args) {
        Scanner input = new Scanner(System.in);
        List<Integer> list = new ArrayList<>();
        System.out.println("Enter numbers, 0 to stop:");
        int value = input.nextInt();
        while (value != 0) {
            list.add(value);
            value = input.nextInt();
        }
        Collections.sort(list);
        System.out.print("Number to look for: ");
        int target = input.nextInt();
        int index = Collections.binarySearch(list, target);
        if (index >= 0) {
            System.out.println("Found at position " + index);
        } else {
            System.out.println("Not found, insertion point " + (-index - 1));
        }
    }
}
