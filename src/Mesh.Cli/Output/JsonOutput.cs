using System.Text.Json;
using Mesh.Protocol.Admin;

namespace Mesh.Cli.Output;

/// <summary>JSON rendering with the contract's serializer settings, so <c>-o json</c> round-trips into the DTOs.</summary>
public static class JsonOutput
{
    private static readonly JsonSerializerOptions Indented = new(AdminJson.Options) { WriteIndented = true };

    public static void Write<T>(TextWriter output, T value) =>
        output.WriteLine(JsonSerializer.Serialize(value, Indented));

    /// <summary>One compact document per line (NDJSON), for streams where indentation would break line-based consumers.</summary>
    public static void WriteLine<T>(TextWriter output, T value) =>
        output.WriteLine(JsonSerializer.Serialize(value, AdminJson.Options));
}
