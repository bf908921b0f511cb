# SPDX-License-Identifier: ISC
# A client that ends lines with a bare LF is understood.
# fixture: basic
<< +OK *
>>! USER alice\nPASS secret\nSTAT\nQUIT\n
<< +OK *
<< +OK *
<< +OK 3 185
<< +OK bye
