namespace Mesh.Cli.Output;

public enum OutputFormat { Table, Json }
