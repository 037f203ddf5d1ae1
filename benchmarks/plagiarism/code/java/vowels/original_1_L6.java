import java.util.Scanner;

public class Letters {
    public static void main(String[] args) {
        Scanner kb = new Scanner(System.in);
        System.out.print("Enter a sentence: ");
        String sentence = kb.nextLine();
        int t = total(sentence);
        System.out.println("Vowels: " + t);
        int[] h = histogram(sentence);
        int j = 0;
        while (j < 5) {
            System.out.println(SET.charAt(j) + ": " + h[j]);
            j++;
        }
        kb.close();
    }

    private static final String SET = "aeiou";   // lower case only

    // how many times each vowel occurs
    public static int[] histogram(String s) {
        String low = s.toLowerCase();
        int[] h = new int[5];
        int pos;
        for (char c : low.toCharArray()) {
            pos = SET.indexOf(c);
            if (pos >= 0) h[pos] += 1;
        }
        return h;
    }

    public static int total(String s) {
        int n = 0;
        for (int j = 0; j < s.length(); j++)
            n += check(s.charAt(j)) ? 1 : 0;
        return n;
    }

    public static boolean check(char ch) {
        char lower = Character.toLowerCase(ch);
        switch (lower) {
            case 'a': case 'e': case 'i': case 'o': case 'u': return true;
            default: return false;
        }
    }
}
