import java.util.Scanner;

public class Vowels {
    public static void main(String[] args) {
        Scanner sc = new Scanner(System.in);
        String s = sc.nextLine().toLowerCase();
        int a = 0, e = 0, i = 0, o = 0, u = 0;
        for (char c : s.toCharArray()) {
            switch (c) {
                case 'a': a++; break;
                case 'e': e++; break;
                case 'i': i++; break;
                case 'o': o++; break;
                case 'u': u++; break;
            }
        }
        System.out.println("a=" + a + " e=" + e + " i=" + i + " o=" + o + " u=" + u);
        System.out.println("total=" + (a + e + i + o + u));
    }
}
