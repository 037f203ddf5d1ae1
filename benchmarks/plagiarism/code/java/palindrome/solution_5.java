import java.util.Scanner;

public class Palindrome {
    public static boolean isPalindrome(String s) {
        String letters = "";
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                letters += Character.toLowerCase(c);
            }
        }
        int i = 0;
        int j = letters.length() - 1;
        while (i < j) {
            if (letters.charAt(i) != letters.charAt(j)) {
                return false;
            }
            i++;
            j--;
        }
        return true;
    }

    public static void main(String[] args) {
        Scanner sc = new Scanner(System.in);
        System.out.print("Enter a word or phrase: ");
        String s = sc.nextLine();
        if (isPalindrome(s)) {
            System.out.println(s + " is a palindrome");
        } else {
            System.out.println(s + " is not a palindrome");
        }
    }
}
