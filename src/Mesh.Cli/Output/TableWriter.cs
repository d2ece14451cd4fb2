namespace Mesh.Cli.Output;

/// <summary>
/// Writes rows with columns padded to their widest cell (like Go's tabwriter in istioctl/kubectl).
/// The last column is never padded, so lines carry no trailing spaces.
/// </summary>
public sealed class TableWriter(string separator = "  ", string indent = "")
{
    private readonly List<string[]> _rows = [];

    public TableWriter Row(params string[] cells)
    {
        _rows.Add(cells);
        return this;
    }

    public void WriteTo(TextWriter output)
    {
        if (_rows.Count == 0) return;
        var columns = _rows.Max(r => r.Length);
        var widths = new int[columns];
        foreach (var row in _rows)
            for (var i = 0; i < row.Length; i++)
                widths[i] = Math.Max(widths[i], row[i].Length);

        foreach (var row in _rows)
        {
            var line = new System.Text.StringBuilder(indent);
            for (var i = 0; i < row.Length; i++)
            {
                if (i > 0) line.Append(separator);
                line.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i]));
            }

            output.WriteLine(line.ToString().TrimEnd());
        }
    }
}
