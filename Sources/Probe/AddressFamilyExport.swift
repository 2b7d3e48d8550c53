// The address family is one type across the project (AddressFamilies); every module that
// speaks of families re-exports it, so their users need no second import.
@_exported import AddressFamilies
