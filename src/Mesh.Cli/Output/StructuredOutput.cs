namespace Mesh.Cli.Output;

/// <summary>Prints a document as <c>-o json</c> or <c>-o yaml</c>.</summary>
public static class StructuredOutput
{
    public static void Write<T>(OutputFormat format, TextWriter output, T value)
    {
        if (format == OutputFormat.Yaml) YamlOutput.Write(output, value);
        else JsonOutput.Write(output, value);
    }
}
