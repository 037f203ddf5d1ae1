import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;

public class Lab3 {
    public static void main(String[] args) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(System.in));
        String line = reader.readLine();
        int vowelCount = 0;
        int consonantCount = 0;
        int index = 0;
        while (index < line.length()) {
            char ch = Character.toUpperCase(line.charAt(index));
            if (Character.isLetter(ch)) {
                if (ch == 'A' || ch == 'E' || ch == 'I' || ch == 'O' || ch == 'U') {
                    vowelCount = vowelCount + 1;
                } else {
                    consonantCount = consonantCount + 1;
                }
            }
            index = index + 1;
        }
        System.out.println("Vowels: " + vowelCount);
        System.out.println("Consonants: " + consonantCount);
    }
}
