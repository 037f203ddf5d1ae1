import java.util.Scanner;

// Reverses the order of the words in a sentence, and each word too
public class ReverseWords {
    static String reverseWord(String word) {
        String result = "";
        for (int i = word.length() - 1; i >= 0; i--) {
            result += word.charAt(i);
        }
        return result;
    }

    static String reverseSentence(String sentence) {
        String[] words = sentence.trim().split("\\s+");
        StringBuilder sb = new StringBuilder();
        for (int i = words.length - 1; i >= 0; i--) {
            sb.append(words[i]);
            if (i > 0) {
                sb.append(" ");
            }
        }
        return sb.toString();
    }

    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        System.out.print("Enter a sentence: ");
        String text = in.nextLine();
        System.out.println("Words reversed: " + reverseSentence(text));
        String mirrored = "";
        for (String word : text.trim().split("\\s+")) {
            mirrored += reverseWord(word) + " ";
        }
        System.out.println("Each word mirrored: " + mirrored.trim());
    }
}
