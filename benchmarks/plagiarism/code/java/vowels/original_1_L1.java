import java.util.Scanner;

public class VowelCounter {
    private static final String VOWELS = "aeiou";   // lower case only

    public static boolean isVowel(char c) { return VOWELS.indexOf(Character.toLowerCase(c)) >= 0; }

    public static int countVowels(String text) {
        int count = 0;
        for (int i = 0; i < text.length(); i++)
            if (isVowel(text.charAt(i))) count++;
        return count;
    }

    // how many times each vowel occurs
    public static int[] perVowel(String text) {
        int[] counts = new int[5];
        String lower = text.toLowerCase();
        for (int i = 0; i < lower.length(); i++) {
            int idx = VOWELS.indexOf(lower.charAt(i));
            if (idx >= 0) counts[idx]++;
        }
        return counts;
    }

    public static void main(String[] args) {
        Scanner input = new Scanner(System.in);
        System.out.print("Enter a sentence: ");
        String line = input.nextLine();
        System.out.println("Vowels: " + countVowels(line));
        int[] counts = perVowel(line);
        for (int i = 0; i < 5; i++) System.out.println(VOWELS.charAt(i) + ": " + counts[i]);
    }
}
