import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Scanner;
import java.util.stream.Collectors;

public class Rev {
    public static void main(String[] args) {
        String s = new Scanner(System.in).nextLine();
        List<String> w = Arrays.asList(s.split(" "));
        Collections.reverse(w);
        System.out.println(String.join(" ", w));
        System.out.println(Arrays.stream(s.split(" "))
                .map(x -> new StringBuilder(x).reverse().toString())
                .collect(Collectors.joining(" ")));
    }
}
