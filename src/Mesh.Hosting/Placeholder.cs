namespace Mesh; internal static class Placeholder {}
