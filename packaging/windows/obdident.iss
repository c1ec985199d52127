; Inno Setup script of obdident's Windows installer: the PyInstaller onedir bundle
; (build/bundle/dist/obdident, made by packaging/build_bundle.py) under Program Files, a Start-menu entry for
; the window (obdident-window.exe, no console) and one for the command line. Prepared, not yet verified on
; Windows. Build: iscc packaging\windows\obdident.iss
#define AppVersion GetEnv("OBDIDENT_VERSION")
#if AppVersion == ""
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6C0B5E3A-4E0F-4B7D-9C55-0B1D0E1D0E1D}
AppName=obdident
AppVersion={#AppVersion}
AppPublisher=obdident developers
DefaultDirName={autopf}\obdident
DefaultGroupName=obdident
OutputDir=..\..\build\bundle\installer
OutputBaseFilename=obdident-{#AppVersion}-setup
LicenseFile=..\..\LICENSE
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ArchitecturesInstallIn64BitMode=x64compatible

[Files]
Source: "..\..\build\bundle\dist\obdident\*"; DestDir: "{app}"; Flags: recursesubdirs createallsubdirs ignoreversion

[Icons]
Name: "{group}\obdident (read the car's identity)"; Filename: "{app}\obdident-window.exe"
Name: "{group}\obdident command line"; Filename: "{cmd}"; Parameters: "/k ""{app}\obdident.exe"" --help"
Name: "{autodesktop}\obdident"; Filename: "{app}\obdident-window.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "A desktop icon for the window"; Flags: unchecked

[Run]
Filename: "{app}\obdident-window.exe"; Description: "Open obdident now"; Flags: nowait postinstall skipifsilent
