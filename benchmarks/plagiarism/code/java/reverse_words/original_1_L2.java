import java.util.Scanner;

public class Flip {

    /* builds the word back to front */
    static String flipWord(String w) {
        String out = "";
        for (int k = w.length() - 1; k >= 0; k--) out += w.charAt(k);
        return out;
    }

    /* last word first */
    static String flipOrder(String str) {
        String[] parts = str.trim().split("\\s+");
        StringBuilder buf = new StringBuilder();
        for (int k = parts.length - 1; k >= 0; k--) {
            buf.append(parts[k]);
            if (k > 0) buf.append(" ");
        }
        return buf.toString();
    }

    public static void main(String[] args) {
        Scanner sc = new Scanner(System.in);
        System.out.print("Enter a sentence: ");
        String input = sc.nextLine();
        System.out.println("Words reversed: " + flipOrder(input));

        String backwards = "";
        for (String w : input.trim().split("\\s+")) backwards += flipWord(w) + " ";
        System.out.println("Each word mirrored: " + backwards.trim());
    }
}
