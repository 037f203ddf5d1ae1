import java.util.Scanner;

public class Flip {

    public static void main(String[] args) {
        String backwards = "";
        String input;
        Scanner sc = new Scanner(System.in);
        System.out.print("Enter a sentence: ");
        input = sc.nextLine();
        sc.close();
        String order = flipOrder(input);
        System.out.println("Words reversed: " + order);

        String[] tokens = input.trim().split("\\s+");
        for (int j = 0; j < tokens.length; j += 1) backwards += flipWord(tokens[j]) + " ";
        System.out.println("Each word mirrored: " + backwards.trim());
    }

    /* last word first */
    static String flipOrder(String str) {
        StringBuilder buf = new StringBuilder();
        String[] parts;
        parts = str.trim().split("\\s+");
        if (parts.length == 1) return parts[0];
        int k = parts.length - 1;
        while (k >= 0) {
            buf.append(parts[k]).append(k > 0 ? " " : "");
            k--;
        }
        return buf.toString();
    }

    /* builds the word back to front */
    static String flipWord(String w) {
        String out = "";
        int n = w.length();
        int k = n;
        while (--k >= 0) out += w.charAt(k);
        return out;
    }
}
