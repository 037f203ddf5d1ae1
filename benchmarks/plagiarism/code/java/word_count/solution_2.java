import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

public class Freq {
    public static void main(String[] args) throws Exception {
        String text = new String(Files.readAllBytes(Paths.get("input.txt"))).toLowerCase();
        Map<String, Long> freq = Stream.of(text.split("[^a-z']+"))
                .filter(w -> !w.isEmpty())
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        System.out.println("total words: " + freq.values().stream().mapToLong(Long::longValue).sum());
        freq.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(10)
                .forEach(e -> System.out.printf("%15s %d%n", e.getKey(), e.getValue()));
    }
}
