using Mesh.Cli.Output;

namespace Mesh.Cli.Tests.Output;

public sealed class TableWriterTests
{
    [Fact]
    public void Pads_every_column_but_the_last_to_its_widest_cell()
    {
        var output = new StringWriter();

        new TableWriter(indent: "  ").Row("A", "LONG HEADER", "X").Row("longer", "b", "").WriteTo(output);

        Assert.Equal("  A       LONG HEADER  X\n  longer  b\n", output.ToString());
    }

    [Fact]
    public void Writes_nothing_without_rows()
    {
        var output = new StringWriter();
        new TableWriter().WriteTo(output);
        Assert.Equal("", output.ToString());
    }
}
