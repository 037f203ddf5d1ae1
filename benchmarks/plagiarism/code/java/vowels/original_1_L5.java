import java.util.Scanner;

public class Letters {
    public static void main(String[] args) {
        Scanner kb = new Scanner(System.in);
        System.out.print("Enter a sentence: ");
        String sentence = kb.nextLine();
        int t = total(sentence);
        System.out.println("Vowels: " + t);
        int[] h = histogram(sentence);
        for (int j = 0; j < 5; j++) System.out.println(SET.charAt(j) + ": " + h[j]);
        kb.close();
    }

    private static final String SET = "aeiou";   // lower case only

    // how many times each vowel occurs
    public static int[] histogram(String s) {
        String low = s.toLowerCase();
        int[] h = new int[5];
        int pos;
        for (int j = 0; j < low.length(); j++) {
            char c = low.charAt(j);
            pos = SET.indexOf(c);
            if (pos >= 0) h[pos]++;
        }
        return h;
    }

    public static int total(String s) {
        int n = 0;
        for (int j = 0; j < s.length(); j++)
            if (check(s.charAt(j))) n++;
        return n;
    }

    public static boolean check(char ch) {
        char lower = Character.toLowerCase(ch);
        return SET.indexOf(lower) >= 0;
    }
}
