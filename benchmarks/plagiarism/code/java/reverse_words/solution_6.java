import java.util.Scanner;

// Lab: reverse a sentence word by word
public class Reverse {
    static String reverseWord(String word) {
        StringBuilder sb = new StringBuilder();
        for (int i = word.length() - 1; i >= 0; i--) {
            sb.append(word.charAt(i));
        }
        return sb.toString();
    }

    static String reverseSentence(String[] words) {
        StringBuilder sb = new StringBuilder();
        for (int i = words.length - 1; i >= 0; i--) {
            sb.append(words[i]);
            sb.append(" ");
        }
        return sb.toString().trim();
    }

    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        System.out.print("Enter a sentence: ");
        String line = in.nextLine();
        String[] words = line.trim().split("\\s+");
        System.out.println("Words in reverse order: " + reverseSentence(words));
        StringBuilder mirrored = new StringBuilder();
        for (String w : words) {
            mirrored.append(reverseWord(w)).append(" ");
        }
        System.out.println("Every word reversed: " + mirrored.toString().trim());
        in.close();
    }
}
