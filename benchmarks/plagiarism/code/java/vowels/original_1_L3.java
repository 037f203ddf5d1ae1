import java.util.Scanner;

public class Letters {
    public static boolean check(char ch) { return SET.indexOf(Character.toLowerCase(ch)) >= 0; }

    public static int total(String s) {
        int n = 0;
        for (int j = 0; j < s.length(); j++)
            if (check(s.charAt(j))) n++;
        return n;
    }

    private static final String SET = "aeiou";   // lower case only

    // how many times each vowel occurs
    public static int[] histogram(String s) {
        String low = s.toLowerCase();
        int[] h = new int[5];
        int pos;
        for (int j = 0; j < low.length(); j++) {
            pos = SET.indexOf(low.charAt(j));
            if (pos >= 0) h[pos]++;
        }
        return h;
    }

    public static void main(String[] args) {
        Scanner kb = new Scanner(System.in);
        System.out.print("Enter a sentence: ");
        String sentence = kb.nextLine();
        System.out.println("Vowels: " + total(sentence));
        int[] h = histogram(sentence);
        for (int j = 0; j < 5; j++) System.out.println(SET.charAt(j) + ": " + h[j]);
    }
}
