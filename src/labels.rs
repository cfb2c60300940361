//! The label model: which Ofelia jobs a set of containers declares, and what
//! each flavour's scheduler will actually do with them. Pure.
