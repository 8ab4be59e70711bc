# gdb pretty-printers for ember: `p t` on an ember::Tensor shows shape, dtype, device,
# requires_grad, grad_fn and the first values (read from host memory only; CUDA tensors
# show no values). Load with `source tools/gdb/ember_printers.py`, or let gdb auto-load
# the copy embedded in programs linked with ember (see README, "Debugging").
import gdb
import gdb.printing

DTYPES = ["Byte", "Int", "Long", "Float", "Double", "Bool", "Half", "BFloat16"]
CTYPES = ["unsigned char", "int", "long", "float", "double", "bool", "unsigned short", "unsigned short"]
SIZES = [1, 4, 8, 4, 8, 1, 2, 2]
MAX_VALUES = 8


def _ptr(intrusive):
    """The raw pointer inside an ember::detail::intrusive_ptr."""
    return intrusive["p_"]


def _dimvector(v):
    n = int(v["size_"])
    heap = v["heap_"]
    data = heap if int(heap) != 0 else v["inline_"][0].address
    return [int((data + i).dereference()) for i in range(n)]


def _device(dev):
    kind = "cpu" if int(dev["type_"]) == 0 else "cuda"
    idx = int(dev["index_"])
    return kind if idx < 0 else "%s:%d" % (kind, idx)


def _node_name(node_ptr):
    if int(node_ptr) == 0:
        return None
    # Nodes recorded by ops are lambda-typed templates whose RTTI gdb cannot always
    # resolve; asking the live process for name() works on every build.
    try:
        v = gdb.parse_and_eval("((ember::autograd::Node*)%d)->name()" % int(node_ptr))
        return v["_M_dataplus"]["_M_p"].string()
    except (gdb.error, RuntimeError):
        pass
    try:
        tname = str(node_ptr.dereference().dynamic_type)
        return "AccumulateGrad" if "AccumulateGrad" in tname else tname
    except (gdb.error, RuntimeError):
        return "<node>"


def _values(impl, sizes, strides, dtype):
    storage = _ptr(impl["storage_"]).dereference()
    if int(storage["device_"]["type_"]) != 0:
        return None
    ctype = gdb.lookup_type(CTYPES[dtype])
    base = storage["data_"].cast(ctype.pointer()) + int(impl["offset_"])
    numel = 1
    for s in sizes:
        numel *= s
    out = []
    for flat in range(min(numel, MAX_VALUES)):
        off, rem = 0, flat
        for d in range(len(sizes) - 1, -1, -1):
            off += (rem % sizes[d]) * strides[d]
            rem //= sizes[d]
        v = (base + off).dereference()
        if DTYPES[dtype] in ("Float", "Double"):
            out.append("%g" % float(v))
        elif DTYPES[dtype] == "Bool":
            out.append("true" if int(v) else "false")
        elif DTYPES[dtype] in ("Half", "BFloat16"):
            out.append("0x%04x" % int(v))
        else:
            out.append(str(int(v)))
    if numel > MAX_VALUES:
        out.append("...")
    return out


def describe_impl(impl_ptr):
    if int(impl_ptr) == 0:
        return "ember::Tensor (undefined)"
    impl = impl_ptr.dereference()
    sizes = _dimvector(impl["sizes_"])
    strides = _dimvector(impl["strides_"])
    dtype = int(impl["dtype_"])
    dev = _device(_ptr(impl["storage_"]).dereference()["device_"])
    parts = ["[" + ", ".join(str(s) for s in sizes) + "]", DTYPES[dtype] if 0 <= dtype < len(DTYPES) else "?", dev]
    if bool(impl["requires_grad_"]):
        parts.append("requires_grad")
    meta = impl["autograd_"]
    if int(meta) != 0:
        name = _node_name(_ptr(meta.dereference()["grad_fn"]))
        if name:
            parts.append("grad_fn=" + name)
    text = "ember::Tensor(" + ", ".join(parts) + ")"
    vals = _values(impl, sizes, strides, dtype) if 0 <= dtype < len(DTYPES) else None
    if vals is not None:
        text += " = {" + ", ".join(vals) + "}"
    return text


class TensorPrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        return describe_impl(_ptr(self.val["impl_"]))


class DevicePrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        return "ember::Device(" + _device(self.val) + ")"


class ScalarPrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        kind = int(self.val["kind_"])
        v = self.val["v_"]
        if kind == 0:
            return "ember::Scalar(%s)" % ("true" if int(v["i"]) else "false")
        if kind == 1:
            return "ember::Scalar(%d)" % int(v["i"])
        return "ember::Scalar(%g)" % float(v["d"])


class DimVectorPrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        return "[" + ", ".join(str(s) for s in _dimvector(self.val)) + "]"


class IntArrayRefPrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        n = int(self.val["size_"])
        data = self.val["data_"]
        return "[" + ", ".join(str(int((data + i).dereference())) for i in range(min(n, 16))) + ("..." if n > 16 else "") + "]"


class ModuleHolderPrinter:
    def __init__(self, val, name=None):
        self.val = val
        self.name = name

    def to_string(self):
        ptr = self.val["impl_"]["_M_ptr"]
        if int(ptr) == 0:
            return "ember::nn module holder (empty)"
        try:
            dyn = ptr.dereference().dynamic_type
        except gdb.error:
            dyn = ptr.dereference().type
        holder = self.name or str(self.val.type.strip_typedefs())
        return "%s -> %s at %s" % (holder, str(dyn), str(ptr))


def lookup(val):
    t = val.type
    if t.code == gdb.TYPE_CODE_REF:
        t = t.target()
    t = t.unqualified().strip_typedefs()
    tag = t.tag
    if not tag:
        return None
    simple = {
        "ember::Tensor": TensorPrinter,
        "ember::Device": DevicePrinter,
        "ember::Scalar": ScalarPrinter,
        "ember::DimVector": DimVectorPrinter,
        "ember::ArrayRef<long>": IntArrayRefPrinter,
    }
    if tag in simple:
        return simple[tag](val)
    if tag.startswith("ember::nn::ModuleHolder<"):
        return ModuleHolderPrinter(val)
    # Holders declared with EMBER_MODULE derive from ModuleHolder<...Impl>.
    if tag.startswith("ember::") or "Impl" not in tag:
        try:
            for f in t.fields():
                if f.is_base_class and f.type.tag and f.type.tag.startswith("ember::nn::ModuleHolder<"):
                    return ModuleHolderPrinter(val.cast(f.type), tag)
        except (gdb.error, TypeError):
            return None
    return None


gdb.printing.register_pretty_printer(gdb.current_objfile(), lookup, replace=True)
