using Mesh.Cli.Output;

namespace Mesh.Cli.Tests.Output;

public sealed class YamlOutputTests
{
    private static string Yaml<T>(T value)
    {
        var output = new StringWriter();
        YamlOutput.Write(output, value);
        return output.ToString();
    }

    [Fact]
    public void Nested_maps_and_sequences_use_block_style()
    {
        var yaml = Yaml(new { Name = "a", Tags = new[] { "x", "z" }, Inner = new { Port = 80, Empty = Array.Empty<int>() }, Items = new[] { new { K = 1, L = new[] { 2 } } } });

        Assert.Equal(
            """
            name: a
            tags:
            - x
            - z
            inner:
              port: 80
              empty: []
            items:
            - k: 1
              l:
              - 2

            """, yaml);
    }

    [Theory]
    [InlineData("true", "\"true\"")]
    [InlineData("null", "\"null\"")]
    [InlineData("15008", "\"15008\"")]
    [InlineData("", "\"\"")]
    [InlineData("a: b", "\"a: b\"")]
    [InlineData("- x", "\"- x\"")]
    [InlineData("#c", "\"#c\"")]
    [InlineData("Allow (dry-run)", "\"Allow (dry-run)\"")]
    [InlineData("10.0.0.1:80", "10.0.0.1:80")]
    [InlineData("spiffe://cluster.local/ns/a/sa/b", "spiffe://cluster.local/ns/a/sa/b")]
    public void Ambiguous_strings_are_quoted(string value, string expected)
    {
        Assert.Equal($"v: {expected}\n", Yaml(new { V = value }));
    }
}
