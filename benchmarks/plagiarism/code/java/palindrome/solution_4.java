import java.util.Scanner;

public class Lab5Palindrome {
    public static void main(String[] args) {
        Scanner keyboard = new Scanner(System.in);
        System.out.println("Type a word:");
        String original = keyboard.next().toUpperCase();
        String backwards = "";
        for (int i = original.length() - 1; i >= 0; i--) {
            backwards = backwards + original.charAt(i);
        }
        System.out.println("Backwards: " + backwards);
        boolean same = original.equals(backwards);
        System.out.println("Palindrome: " + same);
        keyboard.close();
    }
}
