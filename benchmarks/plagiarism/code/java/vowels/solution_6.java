import java.util.Scanner;

// Counts all vowels and each vowel separately
public class VowelCount {
    static final String VOWELS = "aeiou";

    static int countVowels(String text) {
        int count = 0;
        for (char c : text.toLowerCase().toCharArray()) {
            if (VOWELS.indexOf(c) != -1) {
                count++;
            }
        }
        return count;
    }

    static int[] countEach(String text) {
        int[] counts = new int[VOWELS.length()];
        for (char c : text.toLowerCase().toCharArray()) {
            int i = VOWELS.indexOf(c);
            if (i != -1) {
                counts[i]++;
            }
        }
        return counts;
    }

    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        System.out.print("Sentence: ");
        String text = in.nextLine();
        System.out.println("Vowels: " + countVowels(text));
        int[] counts = countEach(text);
        for (int i = 0; i < VOWELS.length(); i++) {
            System.out.println(VOWELS.charAt(i) + ": " + counts[i]);
        }
        in.close();
    }
}
