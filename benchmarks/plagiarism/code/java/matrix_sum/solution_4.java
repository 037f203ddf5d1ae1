public class Matrix {
    private final double[][] values;

    public Matrix(double[][] values) {
        this.values = values;
    }

    public Matrix plus(Matrix other) {
        if (values.length != other.values.length) {
            throw new IllegalArgumentException("sizes differ");
        }
        double[][] result = new double[values.length][];
        for (int row = 0; row < values.length; row++) {
            result[row] = new double[values[row].length];
            for (int col = 0; col < values[row].length; col++) {
                result[row][col] = values[row][col] + other.values[row][col];
            }
        }
        return new Matrix(result);
    }

    public double total() {
        double s = 0;
        for (double[] row : values) {
            for (double x : row) {
                s += x;
            }
        }
        return s;
    }

    public static void main(String[] args) {
        Matrix a = new Matrix(new double[][] {{1.5, 2}, {3, 4}});
        Matrix b = new Matrix(new double[][] {{0.5, 1}, {1, 1}});
        System.out.println("sum of all entries: " + a.plus(b).total());
    }
}
