public class Readings {
    enum Unit { C, F, K }

    record Reading(double value, Unit unit) {
        double toCelsius() {
            return switch (unit) {
                case C -> value;
                case F -> (value - 32) * 5 / 9;
                case K -> value - 273.15;
            };
        }
    }

    public static void main(String[] args) {
        Reading[] readings = {
            new Reading(21.5, Unit.C), new Reading(70, Unit.F), new Reading(300, Unit.K)
        };
        for (Reading r : readings) {
            double c = r.toCelsius();
            System.out.printf("%.1f %s -> %.2f C / %.2f F%n", r.value(), r.unit(), c, c * 9 / 5 + 32);
        }
    }
}
