import java.util.stream.Collectors;
import java.util.stream.IntStream;

public class StreamPrimes {
    static boolean prime(int value) {
        return value > 1 && IntStream.rangeClosed(2, (int) Math.sqrt(value)).noneMatch(d -> value % d == 0);
    }

    public static void main(String[] args) {
        int bound = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        String list = IntStream.rangeClosed(2, bound)
                .filter(StreamPrimes::prime)
                .mapToObj(Integer::toString)
                .collect(Collectors.joining(", "));
        System.out.println("Primes up to " + bound + ": " + list);
        long twins = IntStream.rangeClosed(2, bound - 2).filter(p -> prime(p) && prime(p + 2)).count();
        System.out.println("Twin prime pairs: " + twins);
    }
}
