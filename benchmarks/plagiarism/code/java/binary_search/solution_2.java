public class Main {
    static int bs(int[] a, int key, int from, int to) {
        if (from > to) {
            return -1;
        }
        int middle = from + (to - from) / 2;
        if (a[middle] == key) {
            return middle;
        }
        return key < a[middle] ? bs(a, key, from, middle - 1) : bs(a, key, middle + 1, to);
    }

    public static void main(String[] args) {
        int[] numbers = {2, 5, 8, 12, 16, 23, 38, 56, 72, 91};
        int[] queries = {23, 4, 91};
        for (int q : queries) {
            System.out.println(q + " -> " + bs(numbers, q, 0, numbers.length - 1));
        }
    }
}
