namespace Mesh.Cli.Output;

/// <summary><c>-o table</c> (alias <c>short</c>, istioctl's name for the default), <c>json</c> or <c>yaml</c>.</summary>
public enum OutputFormat { Table, Json, Yaml }
