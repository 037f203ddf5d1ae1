import java.util.Scanner;

public class ReverseWords {
    public static String reverse(String s) {
        String reversed = "";
        for (int i = s.length() - 1; i >= 0; i--) {
            reversed = reversed + s.charAt(i);
        }
        return reversed;
    }

    public static String reverseOrder(String sentence) {
        String[] words = sentence.split(" ");
        String result = "";
        for (int i = words.length - 1; i >= 0; i--) {
            result = result + words[i];
            if (i != 0) {
                result = result + " ";
            }
        }
        return result;
    }

    public static void main(String[] args) {
        Scanner input = new Scanner(System.in);
        System.out.print("Type a sentence: ");
        String sentence = input.nextLine();
        System.out.println("Reversed order: " + reverseOrder(sentence));
        String[] words = sentence.split(" ");
        String result = "";
        for (int i = 0; i < words.length; i++) {
            result = result + reverse(words[i]) + " ";
        }
        System.out.println("Reversed words: " + result.trim());
    }
}
