package shell

// packages is what dpkg -l lists: a Debian 12 server installed with "SSH server" and "standard
// system utilities", name|version|architecture|summary.
const packages = `
adduser|3.134|all|add and remove users and groups
apt|2.6.1|amd64|commandline package manager
apt-listchanges|3.24|all|package change history notification tool
apt-utils|2.6.2|amd64|package management related utility programs
base-files|12.4+deb12u11|amd64|Debian base system miscellaneous files
base-passwd|3.6.1|amd64|Debian base system master password and group files
bash|5.2.15-2+b8|amd64|GNU Bourne Again SHell
bash-completion|1:2.11-6|all|programmable completion for the bash shell
bsdutils|1:2.38.1-5+deb12u3|amd64|basic utilities from 4.4BSD-Lite
bzip2|1.0.8-5+b1|amd64|high-quality block-sorting file compressor - utilities
ca-certificates|20250419~deb12u2|all|Common CA certificates
coreutils|9.1-1|amd64|GNU core utilities
cpio|2.13+dfsg-7.1|amd64|GNU cpio -- a program to manage archives of files
cron|3.0pl1-162|amd64|process scheduling daemon
cron-daemon-common|3.0pl1-162|all|process scheduling daemon's configuration files
curl|7.88.1-10+deb12u15|amd64|command line tool for transferring data with URL syntax
dash|0.5.12-2|amd64|POSIX-compliant shell
dbus|1.14.10-1~deb12u1|amd64|simple interprocess messaging system (system message bus)
debconf|1.5.82|all|Debian configuration management system
debian-archive-keyring|2023.3+deb12u2|all|GnuPG archive keys of the Debian archive
debianutils|5.7-0.5~deb12u1|amd64|Miscellaneous utilities specific to Debian
diffutils|1:3.8-4|amd64|File comparison utilities
dmidecode|3.4-1|amd64|SMBIOS/DMI table decoder
dpkg|1.21.22|amd64|Debian package management system
e2fsprogs|1.47.0-2|amd64|ext2/ext3/ext4 file system utilities
fdisk|2.38.1-5+deb12u3|amd64|collection of partitioning utilities
file|1:5.44-3|amd64|Recognize the type of data in a file using "magic" numbers
findutils|4.9.0-4|amd64|utilities for finding files--find, xargs
gpgv|2.2.40-1.1+deb12u2|amd64|GNU privacy guard - signature verification tool
grep|3.8-5|amd64|GNU grep, egrep and fgrep
grub-common|2.06-13+deb12u2|amd64|GRand Unified Bootloader (common files)
grub-pc|2.06-13+deb12u2|amd64|GRand Unified Bootloader, version 2 (PC/BIOS version)
gzip|1.12-1|amd64|GNU compression utilities
hostname|3.23+nmu1|amd64|utility to set/show the host name or domain name
ifupdown|0.8.41|amd64|high level tools to configure network interfaces
init|1.65.2+deb12u1|amd64|metapackage ensuring an init system is installed
init-system-helpers|1.65.2|all|helper tools for all init systems
iproute2|6.1.0-3|amd64|networking and traffic control tools
iputils-ping|3:20221126-1+deb12u1|amd64|Tools to test the reachability of network hosts
isc-dhcp-client|4.4.3-P1-2|amd64|DHCP client for automatically obtaining an IP address
kmod|30+20221128-1|amd64|tools for managing Linux kernel modules
less|590-2.1~deb12u2|amd64|pager program similar to more
libc-bin|2.36-9+deb12u14|amd64|GNU C Library: Binaries
libc6:amd64|2.36-9+deb12u14|amd64|GNU C Library: Shared libraries
linux-image-6.1.0-21-amd64|6.1.90-1|amd64|Linux 6.1 for 64-bit PCs (signed)
linux-image-6.1.0-23-amd64|6.1.99-1|amd64|Linux 6.1 for 64-bit PCs (signed)
linux-image-amd64|6.1.99-1|amd64|Linux for 64-bit PCs (meta-package)
locales|2.36-9+deb12u14|all|GNU C Library: National Language (locale) data [support]
login|1:4.13+dfsg1-1+deb12u1|amd64|system login tools
logrotate|3.21.0-1|amd64|Log rotation utility
lsof|4.95.0-1|amd64|utility to list open files
man-db|2.11.2-2|amd64|tools for reading manual pages
mawk|1.3.4.20200120-3.1|amd64|Pattern scanning and text processing language
mount|2.38.1-5+deb12u3|amd64|tools for mounting and manipulating filesystems
nano|7.2-1+deb12u1|amd64|small, friendly text editor inspired by Pico
ncurses-base|6.4-4|all|basic terminal type definitions
ncurses-bin|6.4-4|amd64|terminal-related programs and man pages
net-tools|2.10-0.1+deb12u2|amd64|NET-3 networking toolkit
netbase|6.4|all|Basic TCP/IP networking system
openssh-client|1:9.2p1-2+deb12u10|amd64|secure shell (SSH) client, for secure access to remote machines
openssh-server|1:9.2p1-2+deb12u10|amd64|secure shell (SSH) server, for secure access from remote machines
openssh-sftp-server|1:9.2p1-2+deb12u10|amd64|secure shell (SSH) sftp server module, for SFTP access from remote machines
openssl|3.0.19-1~deb12u2|amd64|Secure Sockets Layer toolkit - cryptographic utility
passwd|1:4.13+dfsg1-1+deb12u1|amd64|change and administer password and group data
perl|5.36.0-7+deb12u2|amd64|Larry Wall's Practical Extraction and Report Language
perl-base|5.36.0-7+deb12u2|amd64|minimal Perl system
procps|2:4.0.2-3|amd64|/proc file system utilities
python3|3.11.2-1+b1|amd64|interactive high-level object-oriented language (default python3 version)
python3.11|3.11.2-6+deb12u6|amd64|Interactive high-level object-oriented language (version 3.11)
readline-common|8.2-1.3|all|GNU readline and history libraries, common files
rsyslog|8.2302.0-1+deb12u2|amd64|reliable system and kernel logging daemon
sed|4.9-1|amd64|GNU stream editor for filtering/transforming text
sensible-utils|0.0.17+nmu1|all|Utilities for sensible alternative selection
sudo|1.9.13p3-1+deb12u4|amd64|Provide limited super user privileges to specific users
systemd|252.39-1~deb12u2|amd64|system and service manager
systemd-sysv|252.39-1~deb12u2|amd64|system and service manager - SysV compatibility symlinks
systemd-timesyncd|252.39-1~deb12u2|amd64|minimalistic service to synchronize local time with NTP servers
sysvinit-utils|3.06-4|amd64|System-V-like utilities
tar|1.34+dfsg-1.2+deb12u1|amd64|GNU version of the tar archiving utility
tzdata|2025b-0+deb12u2|all|time zone and daylight-saving time data
udev|252.39-1~deb12u2|amd64|/dev/ and hotplug management daemon
util-linux|2.38.1-5+deb12u3|amd64|miscellaneous system utilities
vim-common|2:9.0.1378-2+deb12u2|all|Vi IMproved - Common files
vim-tiny|2:9.0.1378-2+deb12u2|amd64|Vi IMproved - enhanced vi editor - compact version
wget|1.21.3-1+deb12u1|amd64|retrieves files from the web
whiptail|0.52.23-1+b1|amd64|Displays user-friendly dialog boxes from shell scripts
xz-utils|5.4.1-1|amd64|XZ-format compression utilities
zlib1g:amd64|1:1.2.13.dfsg-1|amd64|compression library - runtime
`
